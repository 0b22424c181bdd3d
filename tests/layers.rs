//! The layering of src/, checked from the source. The layers are listed
//! once, in src/lib.rs's module documentation, and read from there: a
//! module may use its own layer and the layers below it, never one above,
//! and no two modules may reach each other (no cycles, even within a layer).
//! There are no exceptions: a shared part moves down.
//!
//! The code is parsed (syn), from src/lib.rs through every `mod` it
//! declares. Everything counts except `#[cfg(test)] mod … ;` / `{ … }` items:
//! `crate::NAME` and `super::` paths that reach another top-level module,
//! in expressions, types, patterns, `use` trees (nested groups included),
//! macro arguments and doc comments.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// Module → the top-level modules it uses.
type Uses = BTreeMap<String, BTreeSet<String>>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The layers, lowest first, from src/lib.rs's `//!` list: each item
/// `N. name: `module` (what it holds), `module`, …;` — the backquoted names
/// outside parentheses.
fn layers_in(lib: &str) -> Vec<(String, Vec<String>)> {
    let file = syn::parse_file(lib).expect("src/lib.rs parses");
    let doc: Vec<String> = file.attrs.iter().filter_map(doc_of).collect();
    let mut items: Vec<String> = Vec::new();
    for line in &doc {
        let line = line.trim();
        let numbered = line
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if numbered {
            items.push(line.split_once(". ").unwrap().1.to_string());
        } else if line.is_empty() {
            if !items.is_empty() {
                break;
            }
        } else if let Some(last) = items.last_mut() {
            last.push(' ');
            last.push_str(line);
        }
    }
    items
        .iter()
        .map(|item| {
            let (name, rest) = item.split_once(':').expect("`N. name: modules`");
            let (mut depth, mut quoted, mut word, mut mods) = (0, false, String::new(), Vec::new());
            for c in rest.chars() {
                match c {
                    '(' if !quoted => depth += 1,
                    ')' if !quoted => depth -= 1,
                    '`' if quoted => {
                        quoted = false;
                        if depth == 0 {
                            mods.push(std::mem::take(&mut word));
                        }
                        word.clear();
                    }
                    '`' => quoted = true,
                    c if quoted => word.push(c),
                    _ => {}
                }
            }
            (name.trim().to_string(), mods)
        })
        .collect()
}

fn layers() -> Vec<(String, Vec<String>)> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let layers = layers_in(&lib);
    assert!(layers.len() >= 2, "no layer list in src/lib.rs: {layers:?}");
    layers
}

fn layer(layers: &[(String, Vec<String>)], module: &str) -> usize {
    layers
        .iter()
        .position(|(_, mods)| mods.iter().any(|m| m == module))
        .unwrap_or_else(|| panic!("src/{module}: in no layer of src/lib.rs's list; add it to one"))
}

fn doc_of(attr: &syn::Attribute) -> Option<String> {
    if !attr.path().is_ident("doc") {
        return None;
    }
    match &attr.meta {
        syn::Meta::NameValue(syn::MetaNameValue {
            value:
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string() == "test")
    })
}

/// Collects the top-level modules one file's code reaches, and the
/// out-of-line modules it declares (to read next).
struct Reader<'p> {
    /// The module the code being read is in (`["vault", "index"]`).
    path: Vec<String>,
    /// The folder this file's child modules live in.
    dir: PathBuf,
    /// The folder the file itself is in (`#[path]` is relative to it).
    file_dir: PathBuf,
    used: &'p mut BTreeSet<String>,
    children: &'p mut Vec<(PathBuf, Vec<String>)>,
}

impl Reader<'_> {
    /// The top-level module a path starting `first::second` names, if any.
    fn reach(&mut self, segments: &[String]) {
        let Some(first) = segments.first() else {
            return;
        };
        let name = match first.as_str() {
            "crate" => segments.get(1).cloned(),
            "super" => {
                let ups = segments.iter().take_while(|s| *s == "super").count();
                let base = &self.path[..self.path.len().saturating_sub(ups)];
                match base.first() {
                    Some(top) => Some(top.clone()),
                    None => segments.get(ups).cloned(),
                }
            }
            _ => None,
        };
        if let Some(name) = name {
            self.used.insert(name);
        }
    }

    /// `crate::x` / `super::x` inside a macro's tokens, which syn leaves unparsed.
    fn tokens(&mut self, tokens: TokenStream) {
        let flat: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < flat.len() {
            match &flat[i] {
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Ident(id) if id == "crate" || id == "super" => {
                    let mut segments = vec![id.to_string()];
                    let mut j = i + 1;
                    while let (
                        Some(TokenTree::Punct(a)),
                        Some(TokenTree::Punct(b)),
                        Some(TokenTree::Ident(next)),
                    ) = (flat.get(j), flat.get(j + 1), flat.get(j + 2))
                    {
                        if a.as_char() != ':' || b.as_char() != ':' {
                            break;
                        }
                        segments.push(next.to_string());
                        j += 3;
                    }
                    if segments.len() > 1 {
                        self.reach(&segments);
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }

    fn doc(&mut self, attrs: &[syn::Attribute]) {
        for text in attrs.iter().filter_map(doc_of) {
            for (i, _) in text.match_indices("crate::") {
                let name: String = text[i + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    self.used.insert(name);
                }
            }
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                prefix.push(n.ident.to_string());
                self.reach(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Rename(r) => {
                prefix.push(r.ident.to_string());
                self.reach(&prefix.clone());
                prefix.pop();
            }
            // `use crate::x::*` reaches `x`; `use super::*` stays where it is, or names nothing.
            syn::UseTree::Glob(_) => self.reach(prefix),
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Reader<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if is_cfg_test(&m.attrs) {
            return;
        }
        self.doc(&m.attrs);
        let name = m.ident.to_string();
        match &m.content {
            Some((_, items)) => {
                self.path.push(name.clone());
                let inner = self.dir.join(&name);
                let dir = std::mem::replace(&mut self.dir, inner);
                for item in items {
                    self.visit_item(item);
                }
                self.dir = dir;
                self.path.pop();
            }
            None => {
                let file =
                    m.attrs
                        .iter()
                        .find(|a| a.path().is_ident("path"))
                        .and_then(|a| match &a.meta {
                            syn::Meta::NameValue(syn::MetaNameValue {
                                value:
                                    syn::Expr::Lit(syn::ExprLit {
                                        lit: syn::Lit::Str(s),
                                        ..
                                    }),
                                ..
                            }) => Some(s.value()),
                            _ => None,
                        });
                let file = match file {
                    Some(rel) => self.file_dir.join(rel),
                    None if self.dir.join(format!("{name}.rs")).exists() => {
                        self.dir.join(format!("{name}.rs"))
                    }
                    None => self.dir.join(&name).join("mod.rs"),
                };
                let mut path = self.path.clone();
                path.push(name);
                self.children.push((file, path));
            }
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.doc(&u.attrs);
        self.use_tree(&mut Vec::new(), &u.tree);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        self.reach(&segments);
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.tokens(m.tokens.clone());
        syn::visit::visit_macro(self, m);
    }

    fn visit_attribute(&mut self, a: &'ast syn::Attribute) {
        self.doc(std::slice::from_ref(a));
        syn::visit::visit_attribute(self, a);
    }
}

/// The top-level modules one file's code reaches (its own included), and the
/// files of the modules it declares. `path` is the file's module; `dir` the
/// folder its child modules' files are in.
fn read(
    text: &str,
    path: &[String],
    dir: &Path,
    file_dir: &Path,
) -> (BTreeSet<String>, Vec<(PathBuf, Vec<String>)>) {
    let file = syn::parse_file(text).unwrap_or_else(|e| panic!("{}: {e}", path.join("::")));
    let (mut used, mut children) = (BTreeSet::new(), Vec::new());
    let mut reader = Reader {
        path: path.to_vec(),
        dir: dir.to_path_buf(),
        file_dir: file_dir.to_path_buf(),
        used: &mut used,
        children: &mut children,
    };
    reader.visit_file(&file);
    (used, children)
}

/// Module → the other top-level modules its non-test code names, reading
/// from src/lib.rs down every `mod` (main.rs is the binary, above them all).
fn uses() -> Uses {
    let mut out = Uses::new();
    let lib = src().join("lib.rs");
    let (_, mut todo) = read(&std::fs::read_to_string(&lib).unwrap(), &[], &src(), &src());
    while let Some((file, path)) = todo.pop() {
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // A `mod.rs` keeps its children beside it; `x.rs` in `x/`.
        let dir = if file.file_name().is_some_and(|n| n == "mod.rs") {
            file.parent().unwrap().to_path_buf()
        } else {
            file.with_extension("")
        };
        let (used, children) = read(&text, &path, &dir, file.parent().unwrap());
        let top = path[0].clone();
        let entry = out.entry(top.clone()).or_default();
        entry.extend(used);
        entry.remove(&top);
        todo.extend(children);
    }
    let modules: BTreeSet<String> = out.keys().cloned().collect();
    for used in out.values_mut() {
        used.retain(|m| modules.contains(m));
    }
    out
}

/// Every (from, to) where `from` uses a module of a higher layer.
fn upward(layers: &[(String, Vec<String>)], uses: &Uses) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (from, used) in uses {
        for to in used {
            if layer(layers, to) > layer(layers, from) {
                out.insert((from.clone(), to.clone()));
            }
        }
    }
    out
}

/// Every set of two or more modules that reach each other.
fn cycles(uses: &Uses) -> BTreeSet<BTreeSet<String>> {
    // Reachability by repeated expansion (a couple of dozen modules).
    let mut reach: BTreeMap<&String, BTreeSet<&String>> = uses
        .iter()
        .map(|(m, used)| (m, used.iter().collect()))
        .collect();
    loop {
        let mut grew = false;
        let snapshot = reach.clone();
        for set in reach.values_mut() {
            for via in set.clone() {
                for far in snapshot.get(via).into_iter().flatten() {
                    grew |= set.insert(far);
                }
            }
        }
        if !grew {
            break;
        }
    }
    let mut out = BTreeSet::new();
    for (m, set) in &reach {
        let cycle: BTreeSet<String> = set
            .iter()
            .filter(|other| reach.get(*other).is_some_and(|s| s.contains(m)))
            .map(|s| s.to_string())
            .chain([m.to_string()])
            .collect();
        if cycle.len() > 1 {
            out.insert(cycle);
        }
    }
    out
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let upward = upward(&layers(), &uses());
    assert!(
        upward.is_empty(),
        "a lower layer uses a higher one: {upward:?} (from → to); move the shared part down instead"
    );
}

#[test]
fn every_module_has_a_layer_and_every_layer_module_exists() {
    let layers = layers();
    let uses = uses();
    for module in uses.keys() {
        layer(&layers, module);
    }
    for (_, mods) in &layers {
        for m in mods {
            assert!(
                uses.contains_key(m),
                "src/lib.rs lists `{m}`, which is no module"
            );
        }
    }
}

#[test]
fn no_cycles_between_modules() {
    let cycles = cycles(&uses());
    assert!(
        cycles.is_empty(),
        "modules that reach each other: {cycles:?}; break the cycle by moving the shared part down"
    );
}

/// The checks above can fail: on made-up sources, each finds what it must.
#[test]
fn the_checks_catch_an_upward_use_and_a_cycle() {
    let names = |text: &str, path: &[&str]| -> BTreeSet<String> {
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        read(text, &path, Path::new("/nowhere"), Path::new("/nowhere")).0
    };
    let set =
        |names: &[&str]| -> BTreeSet<String> { names.iter().map(|s| s.to_string()).collect() };
    assert_eq!(
        names(
            "use crate::{model::Vault, text};\n/// see crate::vault::keys\n\
             fn f() { crate::term::warn(\"\") }\n#[cfg(test)]\nmod tests { use crate::cmd; }",
            &["export"]
        ),
        set(&["model", "text", "vault", "term"]),
        "test modules are not counted, doc comments are"
    );
    // Code after a `#[cfg(test)]` item is still read.
    assert_eq!(
        names(
            "#[cfg(test)]\nmod tests { fn t() { crate::cmd::run(); } }\n\
             #[cfg(test)]\nfn helper() {}\nfn later() -> crate::agent::Client { todo!() }",
            &["vault", "index"]
        ),
        set(&["agent"])
    );
    // Nested use groups.
    assert_eq!(
        names("use crate::{model::{Vault, label}, cmd::run};", &["qr"]),
        set(&["model", "cmd"])
    );
    // Macro arguments, `super::` up to the root, types and patterns.
    assert_eq!(
        names(
            "fn f() { println!(\"{}\", crate::term::x()); let _: super::super::clipboard::C; \
             match 1 { crate::config::MAX => {} _ => {} } }",
            &["import", "aegis"]
        ),
        set(&["term", "clipboard", "config"])
    );
    assert_eq!(
        names("fn f() { super::shared::x(); }", &["import", "aegis"]),
        set(&["import"])
    );

    let layers = layers_in(
        "//! Layers:\n//!\n//! 1. foundation: `model` (accounts, `otp code`), `text`;\n\
         //! 2. storage: `vault` (keys,\n//!    the fast path of `otp code`), `config`;\n\
         //! 3. commands: `cmd`.\n//!\n//! Not a layer: `term`.\n",
    );
    assert_eq!(
        layers,
        vec![
            (
                "foundation".to_string(),
                vec!["model".to_string(), "text".to_string()]
            ),
            (
                "storage".to_string(),
                vec!["vault".to_string(), "config".to_string()]
            ),
            ("commands".to_string(), vec!["cmd".to_string()]),
        ]
    );

    let uses = |pairs: &[(&str, &str)]| -> Uses {
        let mut out = Uses::new();
        for (from, to) in pairs {
            out.entry(from.to_string())
                .or_default()
                .insert(to.to_string());
            out.entry(to.to_string()).or_default();
        }
        out
    };
    let up = upward(
        &layers,
        &uses(&[("vault", "model"), ("model", "vault"), ("cmd", "vault")]),
    );
    assert_eq!(up, [("model".to_string(), "vault".to_string())].into());

    let found = cycles(&uses(&[
        ("import", "qr"),
        ("qr", "migration"),
        ("migration", "import"),
        ("export", "model"),
    ]));
    let cycle: BTreeSet<String> = ["import", "migration", "qr"].map(String::from).into();
    assert_eq!(found, [cycle].into());
    assert!(
        cycles(&uses(&[
            ("cmd", "cli"),
            ("complete", "cli"),
            ("complete", "cmd")
        ]))
        .is_empty()
    );
}

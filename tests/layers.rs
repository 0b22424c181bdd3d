//! The layering of src/ (src/lib.rs), checked from the source:
//! a module may use its own layer and the layers below it, never one above,
//! and no two modules may reach each other (no cycles, even within a layer).
//! Reads each top-level module's non-test code (comments included) for
//! `crate::NAME` paths. There are no exceptions: a shared part moves down.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module → the top-level modules it uses.
type Uses = BTreeMap<String, BTreeSet<String>>;

/// Lowest first.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundation",
        &["model", "text", "error", "contain", "harden"],
    ),
    (
        "pure logic",
        &["otp", "uri", "migration", "qr", "import", "export"],
    ),
    ("storage", &["vault", "config"]),
    ("outside world", &["term", "clipboard", "screen", "agent"]),
    ("commands", &["cmd", "complete", "cli", "docs", "fuzzing"]),
];

fn layer(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|(_, mods)| mods.contains(&module))
        .unwrap_or_else(|| panic!("src/{module}: in no layer of tests/layers.rs; add it to one"))
}

/// The top-level names a file's non-test code (everything before its first
/// `#[cfg(test)]`) reaches through `crate::`.
fn names_in(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap();
    let mut used = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // use crate::{a, b::c, …};
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let name = item.trim().split("::").next().unwrap().trim();
                used.insert(name.to_string());
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            used.insert(name);
        }
    }
    used
}

/// Module → the other top-level modules its non-test code names.
fn uses() -> Uses {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Uses::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap();
            let top = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            let top = top.trim_end_matches(".rs").to_string();
            if matches!(top.as_str(), "lib" | "main") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let used = out.entry(top.clone()).or_default();
            used.extend(names_in(&text));
            used.remove(&top);
        }
    }
    let modules: BTreeSet<String> = out.keys().cloned().collect();
    for used in out.values_mut() {
        used.retain(|m| modules.contains(m));
    }
    out
}

/// Every (from, to) where `from` uses a module of a higher layer.
fn upward(uses: &Uses) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (from, used) in uses {
        for to in used {
            if layer(to) > layer(from) {
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
    let upward = upward(&uses());
    assert!(
        upward.is_empty(),
        "a lower layer uses a higher one: {upward:?} (from → to); move the shared part down instead"
    );
}

#[test]
fn every_module_has_a_layer() {
    for module in uses().keys() {
        layer(module);
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
    let names = names_in(
        "use crate::{model::Vault, text};\n/// see crate::vault::keys\n\
         fn f() { crate::term::warn(\"\") }\n#[cfg(test)]\nuse crate::cmd;",
    );
    let expected: BTreeSet<String> = ["model", "text", "vault", "term"].map(String::from).into();
    assert_eq!(names, expected, "test code is not counted, comments are");

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
    let up = upward(&uses(&[
        ("vault", "model"),
        ("model", "vault"),
        ("cmd", "term"),
    ]));
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

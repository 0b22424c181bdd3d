//! The layering of src/ (README, "Development"), checked from the source:
//! a module may use its own layer and the layers below it, never one above.
//! Reads each top-level module's non-test code for `crate::NAME` paths.
//!
//! KNOWN lists the crossings that exist today (issue 18, item 1, is moving
//! them out); the test fails on any new one, and on a listed one that is
//! gone, so that the list only shrinks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

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

/// Today's upward uses: (from, to).
const KNOWN: &[(&str, &str)] = &[];

fn layer(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|(_, mods)| mods.contains(&module))
        .unwrap_or_else(|| panic!("src/{module}: in no layer of tests/layers.rs; add it to one"))
}

/// Module → the other top-level modules its non-test code names.
fn uses() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
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
            let code = text.split("#[cfg(test)]").next().unwrap();
            let used = out.entry(top.clone()).or_default();
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
            used.remove(&top);
        }
    }
    let modules: BTreeSet<String> = out.keys().cloned().collect();
    for used in out.values_mut() {
        used.retain(|m| modules.contains(m));
    }
    out
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let mut upward = BTreeSet::new();
    for (from, used) in uses() {
        for to in used {
            if layer(&to) > layer(&from) {
                upward.insert((from.clone(), to));
            }
        }
    }
    let known: BTreeSet<(String, String)> = KNOWN
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let new: Vec<_> = upward.difference(&known).collect();
    let gone: Vec<_> = known.difference(&upward).collect();
    assert!(
        new.is_empty(),
        "a lower layer uses a higher one: {new:?} (from → to); move the shared part down instead"
    );
    assert!(
        gone.is_empty(),
        "{gone:?} no longer cross a layer upwards: take them out of KNOWN in tests/layers.rs"
    );
}

#[test]
fn every_module_has_a_layer() {
    for module in uses().keys() {
        layer(module);
    }
}

/// Today's cycles between modules (each a set of modules that reach each
/// other), which issue 18, item 1, is breaking up. The test fails on a new
/// cycle, and on a listed one that is gone or changed.
const KNOWN_CYCLES: &[&[&str]] = &[];

#[test]
fn no_new_cycles_between_modules() {
    let uses = uses();
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
    let mut cycles = BTreeSet::new();
    for (m, set) in &reach {
        let cycle: BTreeSet<String> = set
            .iter()
            .filter(|other| reach.get(*other).is_some_and(|s| s.contains(m)))
            .map(|s| s.to_string())
            .collect();
        if cycle.len() > 1 {
            cycles.insert(cycle);
        }
    }
    let known: BTreeSet<BTreeSet<String>> = KNOWN_CYCLES
        .iter()
        .map(|c| c.iter().map(|s| s.to_string()).collect())
        .collect();
    assert_eq!(
        cycles, known,
        "the cycles between modules changed (left: now, right: KNOWN_CYCLES in tests/layers.rs); \
         break a new one by moving the shared part down"
    );
}

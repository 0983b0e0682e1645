//! Every `pub async fn` of `src/cases` is in the list of `store_contract_tests!`, so that
//! every store runs it.

use std::collections::BTreeSet;

fn names_after<'a>(text: &'a str, prefix: &str) -> impl Iterator<Item = &'a str> + 'a {
    let prefix = prefix.to_owned();
    text.lines().filter_map(move |line| {
        let rest = line.trim_start().strip_prefix(prefix.as_str())?;
        Some(rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or(""))
    })
}

#[test]
fn every_case_is_listed_in_the_macro() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/cases");
    let mut defined = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        defined.extend(names_after(&text, "pub async fn ").map(str::to_owned));
    }
    let lib = include_str!("../src/lib.rs");
    let (_, rest) = lib.split_once("// cases:begin").expect("the begin mark");
    let (list, _) = rest.split_once("// cases:end").expect("the end mark");
    let listed: BTreeSet<String> =
        list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
    assert!(defined.len() >= 40, "{defined:?}");
    assert_eq!(defined, listed, "cases defined vs listed in store_contract_tests!");
}

//! The drills' command line (the drills themselves run from `scripts/test`, against the server
//! binary). Being an integration test, this also makes the workspace's test build build the
//! `contacts-drills` binary that `scripts/test` then runs.

#[test]
fn help_names_every_option_and_a_missing_server_is_a_clear_error() {
    let exe = env!("CARGO_BIN_EXE_contacts-drills");
    let help = std::process::Command::new(exe).arg("--help").output().expect("run contacts-drills --help");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for option in ["--quick", "--store", "--server", "--database-url", "--kills", "--drill"] {
        assert!(text.contains(option), "--help does not name {option}: {text}");
    }
    let missing = std::process::Command::new(exe)
        .args(["--quick", "--server", "/nonexistent/contacts-server", "--store", "sqlite"])
        .output()
        .expect("run contacts-drills");
    assert!(!missing.status.success(), "a missing server binary must fail the drills");
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("contacts-server"), "{err}");
}

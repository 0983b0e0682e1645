//! The drills' process harness, shared with the benchmark: the `contacts-server` binary run as
//! a child process on a store of its own ([`server`]).

pub mod server;

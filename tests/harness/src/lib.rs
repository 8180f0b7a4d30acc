//! The desktop harness behind the `jeton` command (the phone's job, on a desktop) and the
//! `omnivox-sim` server (the portal's side, see [`sim`]).
//!
//! Each subcommand is a function here so that tests can call it in-process; `src/bin/jeton.rs`
//! only parses arguments and turns errors into one line on stderr and exit code 2.

pub mod cli;
pub mod sim;

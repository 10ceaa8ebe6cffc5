//! The pieces of the load tools: `qinxue-bench` (`make bench`) and `qinxue-crash`
//! (`scripts/crash-test.sh`) both start the release server as a child process ([`server`])
//! and read the machine's facts ([`machine`]).

pub mod load;
pub mod machine;
pub mod prepare;
pub mod room;
pub mod roster;
pub mod server;

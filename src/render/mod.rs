//! A logged execution of the protocol for people: a text timeline (`timeline`) and an SVG
//! sequence diagram (`svg`). Both read the log and the properties' violations, never the live
//! structures. And the recovery simulation's runs as one picture (`recovery`).

pub(crate) mod recovery;
pub(crate) mod svg;
pub(crate) mod timeline;

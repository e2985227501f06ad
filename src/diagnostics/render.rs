//! Rendering diagnostics for people (ariadne) and programs (JSON lines).

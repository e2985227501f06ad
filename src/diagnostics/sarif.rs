//! SARIF 2.1.0 output (placeholder while building).

// PromQL engine: see docs/architecture.md and docs/promql.md.
//
// Front end (issue #4, item 1): `Parser/` turns query text into the typed
// AST in `AST/`; `Format/` prints it back in Prometheus' canonical form.
// Entry point: `parsePromQL(_:)`.
@_exported import StrataStorage

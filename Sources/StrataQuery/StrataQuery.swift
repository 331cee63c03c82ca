// PromQL engine: see docs/architecture.md. Filled in by issue #4.
@_exported import StrataStorage

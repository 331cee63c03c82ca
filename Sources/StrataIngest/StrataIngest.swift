// Ingestion wire formats: remote write, Influx line protocol, JSON, text exposition.
@_exported import StrataStorage

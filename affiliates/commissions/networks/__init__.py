"""Connections to the affiliate networks: each network is one connector class behind
one interface (``base.Connector``: fetch a window → normalised order lines), and
every line goes through the same reading and ingestion the signed postback uses
(``postbacks.conversion_data_parse`` → ``conversion_ingest``).

- ``base``: the interface, the registry of connectors by kind (one per process,
  owned by the affiliates app config: ``connector_registry()``), and their errors.
- ``subids``: our click ids in the forms networks' sub-id fields accept.
- ``pulls``: pulling a connection's report incrementally (cursor, overlapping
  windows, progress, health).
- one module per network; ``connectors`` lists their classes, from which the app
  config builds the registry.
"""

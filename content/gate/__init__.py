"""The publish gate: what is wrong with an article's offers and price claims, and whether it may be published (docs/publish-gate.md)."""

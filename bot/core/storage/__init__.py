"""What the bot remembers, as the core sees it: the store port, and the guard and breaker
that keep a database problem from costing anyone an answer."""

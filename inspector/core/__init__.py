"""The engine: images, models, attacks, defences and metrics. Never imports Qt."""

"""Each non-default backend's profile model (the keys of its ``[profiles.NAME]`` table), above the provider layer as
the config is; ServiceTitan's is ``config.Profile``. ``jpm_tui/backends.py`` lists them."""

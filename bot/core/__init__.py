"""The channel-neutral application: nothing here imports telegram, zalo or web code."""

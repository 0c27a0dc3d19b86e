"""The local cloud: the synthesized stacks deployed into moto, a GCS emulator and Azurite."""

"""CLI commands, one module per stage; each module registers its commands with @command."""

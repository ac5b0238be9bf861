"""The shell of liaison-bot: settings, CLI, app factory, channels, web server."""

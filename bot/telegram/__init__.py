"""The Telegram adapter: HTML rendering of the neutral report model, and the bot that posts it."""

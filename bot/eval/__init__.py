"""The evaluation: `python -m bot.eval` answers a question set through the real engine and scores it."""

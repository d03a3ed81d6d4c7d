"""Everything that leaves the bot on its own initiative: broadcasts and their deliveries, the
sender that paces them per transport, reminders and short-lived download links."""

"""Service standards, versions, self-assessment, audit and reminders."""

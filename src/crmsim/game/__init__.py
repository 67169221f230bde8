"""The CRM game: teams run competing firms in one market, round after round, and read a debrief."""

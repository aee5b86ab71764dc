"""Strategic Centres of Service Innovation, their projects and published learning."""

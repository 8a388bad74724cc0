"""The Privacy workspace's widgets and jobs."""

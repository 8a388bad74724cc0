"""The Evaluate workspace: clean and robust accuracy of the session's model over a whole data set."""

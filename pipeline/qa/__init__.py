"""Ask a paper: questions answered from its full text, each claim citing section and page."""

"""The development loop: watch the sources, build patches, push them to the page."""

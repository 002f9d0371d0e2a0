"""`glassgrad playground`: TensorFlow Playground's demo, trained by glassgrad, in the browser.

`config` checks a configuration, `datasets` makes the 2-D data and the input
features, `session` builds and trains the network (nn layers, a squared-error loss,
SGD) and computes what the page draws, `export` writes the network as Python, and
`server` serves the page (`static/`) and the JSON API it uses.

    from nn.playground import serve
    serve(port=8765, open_browser=False)
"""

from .server import serve

__all__ = ["serve"]

# Copyright (c) mmseg-unify contributors. All rights reserved.
"""What the one-command demo pipelines (``tools/*demo.py``) chain: their
configs, options and steps."""

# Copyright (c) mmseg-unify contributors. All rights reserved.
"""What a measurement ran on: CPU model and library versions."""
import platform


def cpu_model() -> str:
    """The CPU model name (Linux), else the platform's processor string."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def module_version(module: str) -> str:
    """``module.__version__``, or ``'not installed'``.

    Args:
        module (str): An importable module name (``'mmseg'``, ``'torch'``).
    """
    try:
        return __import__(module).__version__
    except ImportError:
        return 'not installed'

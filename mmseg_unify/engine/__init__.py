# Copyright (c) mmseg-unify contributors. All rights reserved.
from . import hooks  # noqa: F401
from . import runner  # noqa: F401

# Copyright (c) mmseg-unify contributors. All rights reserved.

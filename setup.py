# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Install mmseg-unify.

Besides the Python package, ``configs/``, ``tools/``, ``ontology_maps/`` and
``model-index.yml`` must be reachable from the installed package, because
``mim train mmseg_unify CONFIG`` looks for them under ``mmseg_unify/.mim/``
and ``mim search mmseg_unify`` reads ``mmseg_unify/.mim/model-index.yml``
(which lists the ``configs/*/metafile.yml``). A wheel gets copies, made in the
build folder (the source tree is not touched); an editable install (``pip
install -e .``, ``setup.py develop``) gets symbolic links in the source tree,
so edits to configs are seen at once.
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = osp.dirname(osp.abspath(__file__))
MIM_FOLDERS = ('configs', 'tools', 'ontology_maps')
MIM_FILES = ('model-index.yml', )
EDITABLE_COMMANDS = ('develop', 'editable_wheel')


def read_version():
    """Return ``__version__`` from ``mmseg_unify/version.py``."""
    scope = {}
    with open(osp.join(HERE, 'mmseg_unify', 'version.py')) as f:
        exec(compile(f.read(), 'version.py', 'exec'), scope)
    return scope['__version__']


def parse_requirements(name):
    """Read a requirements file, skipping comments and ``-r`` includes."""
    with open(osp.join(HERE, 'requirements', name)) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line and not line.startswith('-')]


def _remove(path):
    """Remove a link, file or folder at ``path`` if there is one."""
    if osp.islink(path) or osp.isfile(path):
        os.remove(path)
    elif osp.isdir(path):
        shutil.rmtree(path)


def _mim_files():
    """The files of :data:`MIM_FILES` that the source tree has (a build from
    a partial copy of the checkout may lack the model index)."""
    return [name for name in MIM_FILES if osp.isfile(osp.join(HERE, name))]


def _copy_folders(mim_root):
    """Copy the data folders and files into ``mim_root`` (replacing what is
    there)."""
    os.makedirs(mim_root, exist_ok=True)
    for name in MIM_FOLDERS:
        dst = osp.join(mim_root, name)
        _remove(dst)
        shutil.copytree(
            osp.join(HERE, name), dst,
            ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
    for name in _mim_files():
        dst = osp.join(mim_root, name)
        _remove(dst)
        shutil.copy2(osp.join(HERE, name), dst)


class BuildPyWithMim(build_py):
    """``build_py`` that also puts copies of the data folders into the built
    package's ``.mim`` (wheels), leaving the source tree alone."""

    def run(self):
        super().run()
        if getattr(self, 'editable_mode', False):
            return
        _copy_folders(osp.join(self.build_lib, 'mmseg_unify', '.mim'))


def add_mim_extension():
    """Link the data folders and files into the source tree's ``.mim`` for
    editable installs (wheels get copies from :class:`BuildPyWithMim`)."""
    if not any(cmd in sys.argv for cmd in EDITABLE_COMMANDS):
        return
    mim_root = osp.join(HERE, 'mmseg_unify', '.mim')
    os.makedirs(mim_root, exist_ok=True)
    for name in MIM_FOLDERS + tuple(_mim_files()):
        src, dst = osp.join(HERE, name), osp.join(mim_root, name)
        _remove(dst)
        os.symlink(osp.relpath(src, mim_root), dst)


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='mmseg_unify',
        version=read_version(),
        description='Label-assisted distillation and label-space unification '
        'for MMSegmentation 1.x',
        long_description=open(osp.join(HERE, 'README.md')).read(),
        long_description_content_type='text/markdown',
        license='Apache License 2.0',
        packages=find_packages(exclude=('configs', 'tools', 'tests',
                                        'benchmarks')),
        include_package_data=True,
        package_data={'mmseg_unify': ['.mim/**/*']},
        python_requires='>=3.8',
        install_requires=parse_requirements('runtime.txt'),
        extras_require={
            'tests': parse_requirements('tests.txt'),
            'mim': parse_requirements('mminstall.txt'),
            'optional': parse_requirements('optional.txt'),
            # mmdet 3.x for MMSeg's Mask2Former (docs/en/mask2former.md)
            'mask2former': parse_requirements('mask2former.txt'),
        },
        classifiers=[
            'Programming Language :: Python :: 3',
            'Topic :: Scientific/Engineering :: Artificial Intelligence',
        ],
        cmdclass={'build_py': BuildPyWithMim},
        zip_safe=False)

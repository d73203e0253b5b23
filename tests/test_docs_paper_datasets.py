# Copyright (c) mmseg-unify contributors. All rights reserved.
"""docs/en/paper_datasets.md and the dataset preparation pages name only
what exists: every ``configs/...``, ``ontology_maps/...`` and ``tools/...``
path, every ``--flag`` given to ``tools/pseudo_label.py``, every extra and
map the chain's ``EXTRAS`` loops build, and every link to a page section."""
import argparse
import os.path as osp
import re

import pytest

from helpers import ROOT, load_tool

DOCS = osp.join(ROOT, 'docs', 'en')
PAGE = 'paper_datasets.md'
PAGES = (PAGE, 'dataset_preparation_urban.md',
         'dataset_preparation_offroad.md', 'mask2former.md')
# a repository path: starts at a word boundary, ends before blanks, quotes,
# brackets or punctuation that ends a sentence
PATH = re.compile(r'(?<![\w/.$-])((?:configs|ontology_maps|tools)/'
                  r'[\w./{},*<>$-]*)')
PLACEHOLDER = re.compile(r'[<>*$]|\.\.\.')


def read(name):
    with open(osp.join(DOCS, name), encoding='utf-8') as f:
        return f.read()


def expand_braces(path):
    """``a/{b,c}.py`` -> ``['a/b.py', 'a/c.py']`` (nested or several
    groups too)."""
    match = re.search(r'\{([^{}]*)\}', path)
    if not match:
        return [path]
    return [p for alt in match.group(1).split(',')
            for p in expand_braces(path[:match.start()] + alt +
                                   path[match.end():])]


def repo_paths(text):
    """Every concrete repository path of a page (placeholders such as
    ``<name>`` or ``${x}`` and globs are left out)."""
    paths = set()
    for raw in PATH.findall(text):
        for path in expand_braces(raw.rstrip('.,')):
            if not PLACEHOLDER.search(path):
                paths.add(path.rstrip('/') if path.endswith('/') else path)
    return sorted(paths)


def code_blocks(text):
    """Fenced code blocks, continuation lines joined."""
    blocks = re.findall(r'```[^\n]*\n(.*?)```', text, flags=re.S)
    return [b.replace('\\\n', ' ') for b in blocks]


def shell_commands(text):
    """Command lines of the code blocks and inline code spans."""
    lines = [line for block in code_blocks(text)
             for line in block.splitlines()]
    without_blocks = re.sub(r'```.*?```', '', text, flags=re.S)
    return lines + re.findall(r'`([^`\n]+)`', without_blocks)


def slug(heading):
    """GitHub's anchor of a heading."""
    text = re.sub(r'[^\w\- ]', '', heading.strip().lower())
    return text.replace(' ', '-')


def anchors(name):
    return {slug(h) for h in re.findall(r'^#+ (.+)$', read(name), re.M)}


def pseudo_label_flags():
    """The option strings of tools/pseudo_label.py's parser."""
    tool = load_tool('pseudo_label')

    class Got(Exception):
        pass

    def grab(self, *args, **kwargs):
        raise Got(self)

    original = argparse.ArgumentParser.parse_args
    argparse.ArgumentParser.parse_args = grab
    try:
        tool.parse_args([])
    except Got as e:
        parser = e.args[0]
    finally:
        argparse.ArgumentParser.parse_args = original
    return {s for a in parser._actions for s in a.option_strings}


def test_helpers_parse_what_the_pages_write():
    assert expand_braces('a/{b,c}_{x,y}.py') == [
        'a/b_x.py', 'a/b_y.py', 'a/c_x.py', 'a/c_y.py']
    assert repo_paths('see `configs/unify/datasets/<name>_extra.py`, '
                      '`tools/dataset_converters/a2d2.py`. And '
                      '$U/datasets/${x}_extra.py') == [
        'tools/dataset_converters/a2d2.py']
    assert slug('GOOSE 2D (validate) — `goose.py`') == \
        'goose-2d-validate--goosepy'


@pytest.mark.parametrize('name', PAGES)
def test_every_repository_path_exists(name):
    paths = repo_paths(read(name))
    assert paths, name
    missing = [p for p in paths if not osp.exists(osp.join(ROOT, p))]
    assert missing == [], (name, missing)


def test_page_names_every_config_of_the_three_settings():
    paths = set(repo_paths(read(PAGE)))
    for setting in ('cityscapes', 'mapillary63', 'goose-offroad'):
        for model in ('segformer', 'mask2former'):
            for role in ('unify-teacher', 'unify-student_',
                         'unify-student-finetune'):
                assert any(osp.basename(p).startswith(role) and model in p
                           and setting in p for p in paths), \
                    (setting, model, role)
    assert sum('wilddash-test_' in p for p in paths) == 6


def test_pseudo_label_flags_are_real():
    flags = pseudo_label_flags()
    used = set()
    for line in shell_commands(read(PAGE)):
        if 'tools/pseudo_label.py' not in line:
            continue
        after = line.split('tools/pseudo_label.py', 1)[1]
        used |= set(re.findall(r'(?<![\w-])--[A-Za-z][\w-]*', after))
    assert {'--extra', '--ontology', '--out', '--no-priors',
            '--launcher'} <= used
    assert used - flags == set()
    # every other flag the page mentions for the tool is one too
    prose = re.findall(r'`(--[a-z][\w-]*)[ `=]', read(PAGE))
    others = {'--nproc', '--out', '--splits', '--subset-lists',
              '--work-dir', '--cfg-options', '--nproc_per_node',
              '--labels'}
    assert set(prose) - flags - others == set()


def test_extras_loops_name_existing_configs_and_maps():
    """Each ``TO=`` / ``EXTRAS=`` block: the chain's
    ``$U/datasets/${x}_extra.py`` and ``${x%_part2}_to_$TO`` exist."""
    blocks = [b for b in code_blocks(read(PAGE)) if 'EXTRAS=' in b]
    assert len(blocks) == 3
    for block in blocks:
        target = re.search(r'^TO=(\w+)', block, re.M).group(1)
        extras = re.search(r'^EXTRAS="([^"]+)"', block, re.M).group(1)
        for x in extras.split():
            extra = osp.join(ROOT, 'configs', 'unify', 'datasets',
                             f'{x}_extra.py')
            name = x[:-len('_part2')] if x.endswith('_part2') else x
            ontology = osp.join(ROOT, 'ontology_maps', 'maps',
                                f'{name}_to_{target}.yaml')
            assert osp.isfile(extra), extra
            assert osp.isfile(ontology), ontology
    chain = read(PAGE)
    assert "--extra $U/datasets/${x}_extra.py --ontology ${x%_part2}_to_$TO" \
        in chain.replace('\\\n      ', '')


def test_section_links_resolve():
    text = read(PAGE)
    links = re.findall(r'\]\(([\w.]*\.md)?(?:#([\w-]+))?\)', text)
    assert links
    for page, anchor in links:
        target = page or PAGE
        assert osp.isfile(osp.join(DOCS, target)), target
        if anchor:
            assert anchor in anchors(target), (target, anchor)

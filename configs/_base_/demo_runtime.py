# Runtime for the CPU demo configs: gloo so that `torchrun --nproc_per_node=2`
# works without GPUs, frequent logging, checkpoints kept for --resume.
_base_ = ['./default_runtime.py']

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='gloo'))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)

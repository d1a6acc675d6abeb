"""Training loops for the native model: the causal VAE, then the DiT on cached latents.

    config.py      dataclass configs loaded from TOML (configs/train/*.toml)
    data.py        the world dataset: buckets, held-out clips, the 1 + 4k frame policy
    batches.py     one-bucket batches, seeded and resumable
    optim.py       AdamW, warmup + cosine, EMA
    checkpoint.py  checkpoints with RNG states (exact resume)
    loop.py        the shared loop: steps, metrics.jsonl, evaluation, checkpoints
    vae.py         `train_vae`: reconstruction training, PSNR, export with latent stats
    latents.py     `cache_latents` and `LatentCache`: latents + text embeddings on disk
    dit.py         `train_dit`: rectified flow with text dropout and frame-conditioning tasks

Import from the modules (`from reelforge.train.vae import train_vae`); this file stays empty.
"""

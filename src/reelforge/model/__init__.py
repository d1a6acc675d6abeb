"""The native network: causal video VAE, spacetime patches, diffusion transformer, flow sampler.

Import the parts from their modules (`reelforge.model.dit`, `reelforge.model.sampler`, ...);
this package file stays empty so importing one part never loads another's dependencies.
"""

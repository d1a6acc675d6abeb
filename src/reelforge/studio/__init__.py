"""The studio service: jobs and their queue, plans and quotas, accounts and keys,
storage, recovery. The API and the CLI talk to `Studio`; nothing here knows HTTP.

    from reelforge.studio import Studio, load_config
    studio = Studio(load_config("./data"))
"""

from reelforge.studio.config import StudioConfig, load_config
from reelforge.studio.service import Studio

__all__ = ["Studio", "StudioConfig", "load_config"]

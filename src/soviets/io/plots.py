"""Charts of the accounts: one PNG per extension, footprint beside production per region."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from soviets.io.accounts import Accounts


def plot_accounts(acc: Accounts, folder: Path) -> list[Path]:
    """Write ``<extension>.png`` in ``folder``: D_cba and D_pba per region, bars side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    pos = np.arange(len(acc.regions))
    for k, name in enumerate(acc.ext.names):
        fig, ax = plt.subplots(figsize=(max(6.0, 0.3 * len(pos) + 2), 4))
        ax.bar(pos - 0.2, acc.D_cba_reg[k], 0.4, label="footprint (consumption-based)")
        ax.bar(pos + 0.2, acc.D_pba_reg[k], 0.4, label="production-based")
        ax.set_xticks(pos, acc.regions, rotation=90 if len(pos) > 12 else 0)
        ax.set_ylabel(acc.ext.units[k])
        ax.set_title(name)
        ax.legend()
        fig.tight_layout()
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(path)
    return written

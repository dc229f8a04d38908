"""The report's figures, all of them: :func:`all_figures`, and the command line
``python -m convproof.figures [NAME ...] [--out DIR]`` that writes them as PNGs.

convproof.figures_geometry draws parameter counts, the receptive field and shift in /
shift out; convproof.figures_algebra convolution against cross-correlation, the DFT
eigenvalues and stacking; convproof.plotting holds what they share.
"""

from __future__ import annotations

from collections.abc import Callable

from convproof import figures_algebra, figures_geometry
from convproof.plotting import Plot


def all_figures() -> list[Callable[[], Plot]]:
    """Every figure function of the report, in the order the report shows them."""
    return [figures_geometry.parameter_counts, figures_geometry.receptive_field,
            figures_geometry.shift_in_shift_out,
            figures_algebra.convolution_vs_correlation, figures_algebra.dft_eigenvalues,
            figures_algebra.stacking_growth]


def main(argv: list[str] | None = None) -> None:
    """``python -m convproof.figures [NAME ...] [--out DIR]``: write the named figures
    (all by default) as DIR/NAME.png; the README's docs/receptive_field.png is
    ``python -m convproof.figures receptive_field --out docs``."""
    import argparse
    from pathlib import Path

    makers = {make.__name__: make for make in all_figures()}
    parser = argparse.ArgumentParser(prog="python -m convproof.figures", description=main.__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"one of {', '.join(makers)} (default: all)")
    parser.add_argument("--out", type=Path, default=Path("figures"),
                        help="directory (default: figures, untracked)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in makers]
    if unknown:
        parser.error(f"unknown figure {', '.join(unknown)}; choose from {', '.join(makers)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or makers:
        path = args.out / f"{name}.png"
        path.write_bytes(makers[name]().png())
        print(path)


if __name__ == "__main__":
    main()

"""Files that leave the laptop: printed minutes and exports of the register."""

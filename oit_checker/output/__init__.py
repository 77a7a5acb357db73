"""What people read: the terminal (``terminal``), the printable HTML report (``html``), the ITAS
answer sheet (``sheet``), the Thai words they share (``labels``) and the one file writer
(``files``). Each takes the result as data; none opens the database or the network."""

"""Planning engines (MIP models on HiGHS): the equipment budget allocation and the hub
network design. Pure Python: no Django, no apps."""

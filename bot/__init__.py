"""quantriet: the assistant that helps cadres study ("quán triệt") Party documents."""

<?xml version="1.0" encoding="UTF-8"?>
<dictionary version="1.0"/>

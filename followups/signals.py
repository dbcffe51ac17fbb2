"""Connects the rules engine to the save/delete path of the models it watches.

The rules-engine issue fills this in; the foundation only reserves the hook.
"""

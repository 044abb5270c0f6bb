#!/usr/bin/env python3
"""The PyTorch-written files notebook 14 ("From PyTorch and back") starts from.

    /usr/bin/python3 tools/make_notebook_weights.py

torchvision's MobileNet-V2 at width 0.25 with a 10-class classifier (seed 0, batch-norm statistics randomised so that
they matter), saved as a training checkpoint the way the papers' code saves them: {'epoch', 'model'} with the state
dict under 'model' and DataParallel's 'module.' prefix. Also an input and the model's logits in evaluation mode.
Writes notebooks/data/mobilenet_v2_x0.25.pth.tar and notebooks/data/mobilenet_v2_x0.25_io.pth (Debian's PyTorch 1.13,
torchvision 0.14).
"""
import os

import torch
import torchvision

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'notebooks', 'data')

torch.manual_seed(0)
net = torchvision.models.mobilenet_v2(width_mult=0.25, num_classes=10)
for m in net.modules():
    if isinstance(m, torch.nn.BatchNorm2d):
        m.running_mean.uniform_(-0.2, 0.2)
        m.running_var.uniform_(0.5, 1.5)
net.eval()
torch.manual_seed(1)
x = torch.rand(2, 3, 64, 64)
with torch.no_grad():
    logits = net(x)
os.makedirs(HERE, exist_ok=True)
torch.save({'epoch': 90, 'model': {'module.' + k: v for k, v in net.state_dict().items()}},
           os.path.join(HERE, 'mobilenet_v2_x0.25.pth.tar'))
torch.save({'x': x, 'logits': logits}, os.path.join(HERE, 'mobilenet_v2_x0.25_io.pth'))

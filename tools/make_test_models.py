"""Writes the tiny ONNX models the unit tests use to exercise model import and inference.

Run with Debian's interpreter: /usr/bin/python3 tools/make_test_models.py
Outputs test/fixtures/models/tiny-ct-classifier/model.onnx (3D, dynamic batch) and
test/fixtures/models/tiny-landmarks/model.onnx (2D heatmaps). Weights are seeded, not trained.
"""
import os
import torch

torch.manual_seed(0)
here = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'models')


class TinyCt(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv3d(1, 4, 3, padding=1)
        self.fc = torch.nn.Linear(4, 2)

    def forward(self, x):
        f = torch.relu(self.conv(x))
        return self.fc(f.mean(dim=(2, 3, 4)))


class TinyLandmarks(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(4, 3, 3, padding=1)

    def forward(self, x):
        return self.conv2(torch.relu(self.conv1(x)))


class RegionClassifier(torch.nn.Module):
    """Evidence for class 1 lives only in one known block (z 0:4, y 0:8, x 0:8): the ground truth
    an attribution method must recover."""

    def forward(self, x):
        region = x[:, :, 0:4, 0:8, 0:8].mean(dim=(1, 2, 3, 4))
        logit = 12.0 * (region - 0.5)
        return torch.stack([-logit, logit], dim=1)


def export(model, shape, name, out_name):
    d = os.path.join(here, name)
    os.makedirs(d, exist_ok=True)
    torch.onnx.export(model.eval(), torch.zeros(*shape), os.path.join(d, 'model.onnx'), input_names=['input'],
                      output_names=[out_name], dynamic_axes={'input': {0: 'batch'}, out_name: {0: 'batch'}}, opset_version=17)


export(TinyCt(), (1, 1, 8, 16, 16), 'tiny-ct-classifier', 'logits')
export(TinyLandmarks(), (1, 1, 32, 24), 'tiny-landmarks', 'heatmaps')
export(RegionClassifier(), (1, 1, 8, 16, 16), 'region-classifier', 'logits')

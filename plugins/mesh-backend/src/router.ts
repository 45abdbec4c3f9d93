import { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { ClusterRegistry } from './service/ClusterRegistry';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  clusters: ClusterRegistry;
}

export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { httpAuth, clusters } = options;
  const router = Router();
  router.use(express.json({ limit: '256kb' }));

  router.get('/clusters', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(await clusters.describe());
  });

  return router;
}
